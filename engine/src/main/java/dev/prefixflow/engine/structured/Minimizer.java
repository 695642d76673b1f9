package dev.prefixflow.engine.structured;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.util.automaton.Automata;
import org.apache.lucene.util.automaton.Automaton;

/**
 * Minimal deterministic automata by Moore's partition refinement over a dense transition table, one
 * column per interval of labels that every state treats alike. Lucene's MinimizationOperations
 * makes the automaton total over all of Unicode and allocates per state and label: on a JSON
 * schema's UTF-8 automaton (14k states) it took 1-5 s, which made schema compilation the cold-start
 * cost of structured outputs. States that cannot reach an accepting state are dropped, so every
 * transition left leads towards a complete text (a token mask never allows a dead end).
 */
final class Minimizer {
    private Minimizer() {
    }

    /** The minimal automaton of {@code a}'s language; state 0 is the initial one. */
    static Automaton minimize(Automaton a) {
        if (!a.isDeterministic()) {
            throw new IllegalArgumentException("minimize needs a deterministic automaton");
        }
        int n = a.getNumStates();
        if (n == 0) {
            return Automata.makeEmpty();
        }
        int[] points = a.getStartPoints();
        int k = points.length;
        int[] next = new int[n * k];
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < k; c++) {
                next[s * k + c] = a.step(s, points[c]);
            }
        }
        boolean[] live = live(a, next, n, k);
        if (!live[0]) {
            return Automata.makeEmpty();
        }
        for (int i = 0; i < next.length; i++) {
            if (next[i] >= 0 && !live[next[i]]) {
                next[i] = -1;
            }
        }
        int[] block = refine(a, next, live, n, k);
        return rebuild(a, next, block, points, n, k);
    }

    /** States from which an accepting state can be reached. */
    private static boolean[] live(Automaton a, int[] next, int n, int k) {
        int[] inCount = new int[n + 1];
        for (int t : next) {
            if (t >= 0) {
                inCount[t + 1]++;
            }
        }
        for (int s = 0; s < n; s++) {
            inCount[s + 1] += inCount[s];
        }
        int[] from = new int[inCount[n]];
        int[] fill = Arrays.copyOf(inCount, n);
        for (int i = 0; i < next.length; i++) {
            if (next[i] >= 0) {
                from[fill[next[i]]++] = i / k;
            }
        }
        boolean[] live = new boolean[n];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int s = 0; s < n; s++) {
            if (a.isAccept(s)) {
                live[s] = true;
                queue.add(s);
            }
        }
        while (!queue.isEmpty()) {
            int t = queue.poll();
            for (int i = inCount[t]; i < inCount[t + 1]; i++) {
                if (!live[from[i]]) {
                    live[from[i]] = true;
                    queue.add(from[i]);
                }
            }
        }
        return live;
    }

    /**
     * Splits live states into blocks (accepting or not first) until states in one block have the
     * same block after every label; dead states get block -1.
     */
    private static int[] refine(Automaton a, int[] next, boolean[] live, int n, int k) {
        int[] block = new int[n];
        for (int s = 0; s < n; s++) {
            block[s] = !live[s] ? -1 : a.isAccept(s) ? 1 : 0;
        }
        int blocks = -1;
        while (true) {
            Map<Signature, Integer> ids = new HashMap<>();
            int[] refined = new int[n];
            for (int s = 0; s < n; s++) {
                if (block[s] < 0) {
                    refined[s] = -1;
                    continue;
                }
                Signature key = new Signature(s, block, next, k);
                Integer id = ids.get(key);
                if (id == null) {
                    id = ids.size();
                    ids.put(key, id);
                }
                refined[s] = id;
            }
            if (ids.size() == blocks) {
                return block;
            }
            blocks = ids.size();
            block = refined;
        }
    }

    /** A state's block and its successors' blocks, compared without copying them out. */
    private static final class Signature {
        private final int state;
        private final int[] block;
        private final int[] next;
        private final int k;
        private final int hash;

        Signature(int state, int[] block, int[] next, int k) {
            this.state = state;
            this.block = block;
            this.next = next;
            this.k = k;
            int h = block[state];
            for (int c = 0, base = state * k; c < k; c++) {
                int t = next[base + c];
                h = 31 * h + (t < 0 ? -1 : block[t]);
            }
            this.hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            Signature other = (Signature) o;
            if (hash != other.hash || block[state] != block[other.state]) {
                return false;
            }
            for (int c = 0; c < k; c++) {
                int t = next[state * k + c];
                int u = next[other.state * k + c];
                if ((t < 0 ? -1 : block[t]) != (u < 0 ? -1 : block[u])) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One state per block, numbered in breadth-first order from the initial state's block. */
    private static Automaton rebuild(Automaton a, int[] next, int[] block, int[] points, int n, int k) {
        int blocks = 0;
        for (int b : block) {
            blocks = Math.max(blocks, b + 1);
        }
        int[] representative = new int[blocks];
        Arrays.fill(representative, -1);
        for (int s = 0; s < n; s++) {
            if (block[s] >= 0 && representative[block[s]] < 0) {
                representative[block[s]] = s;
            }
        }
        int[] id = new int[blocks];
        Arrays.fill(id, -1);
        Automaton.Builder out = new Automaton.Builder();
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        id[block[0]] = out.createState();
        queue.add(block[0]);
        while (!queue.isEmpty()) {
            int b = queue.poll();
            int s = representative[b];
            out.setAccept(id[b], a.isAccept(s));
            for (int c = 0; c < k; c++) {
                int t = next[s * k + c];
                if (t < 0) {
                    continue;
                }
                int target = block[t];
                if (id[target] < 0) {
                    id[target] = out.createState();
                    queue.add(target);
                }
                int max = c + 1 < k ? points[c + 1] - 1 : Character.MAX_CODE_POINT;
                out.addTransition(id[b], id[target], points[c], max);
            }
        }
        return out.finish();
    }
}
