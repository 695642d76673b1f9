package dev.prefixflow.engine.structured;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.util.automaton.Automata;
import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.ByteRunAutomaton;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;
import org.apache.lucene.util.automaton.UTF32ToUTF8;

/**
 * Constraints compiled to minimal DFAs over UTF-8 bytes. A DFA does not depend on the vocabulary,
 * so the last {@link #CACHED} of them are shared by every engine in the JVM: json_object's is built
 * once per process, and engines of one TaskManager compile a schema once between them.
 */
final class ConstraintDfas {
    static final int CACHED = 256;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<StructuredOutputsParams, ByteRunAutomaton> CACHE =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<StructuredOutputsParams, ByteRunAutomaton> eldest) {
                    return size() > CACHED;
                }
            };

    private ConstraintDfas() {
    }

    /**
     * The constraint's DFA (state 0 initial; every state can still reach a complete text).
     *
     * @throws IllegalArgumentException naming the problem: invalid schema JSON, an unsupported
     *     keyword, a regex that cannot be compiled, an empty choice list, a constraint too complex
     */
    static ByteRunAutomaton dfa(StructuredOutputsParams params) {
        synchronized (CACHE) {
            ByteRunAutomaton cached = CACHE.get(params);
            if (cached != null) {
                return cached;
            }
        }
        // Compiled outside the lock: other constraints are not held up; two engines compiling the
        // same one at once both get the same language.
        ByteRunAutomaton dfa = toBytes(automaton(params));
        synchronized (CACHE) {
            CACHE.putIfAbsent(params, dfa);
        }
        return dfa;
    }

    /** The constraint's language over code points. */
    static Automaton automaton(StructuredOutputsParams p) {
        if (p.jsonObject()) {
            return JsonLanguages.anyObject();
        }
        if (p.regex() != null) {
            return Regexes.fullMatch(p.regex());
        }
        if (p.choice() != null) {
            return choice(p.choice());
        }
        return JsonSchemas.compile(schema(p.json()));
    }

    private static Automaton choice(List<String> choices) {
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("guided_choice is an empty list");
        }
        return Operations.union(choices.stream().map(Automata::makeString).toList());
    }

    private static JsonNode schema(String json) {
        try {
            JsonNode schema = JSON.readTree(json);
            if (schema == null) {
                throw new IllegalArgumentException("the JSON schema is empty");
            }
            return schema;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the JSON schema is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Minimal in code points (few labels, so cheap), then in UTF-8 bytes, where masks are built: the
     * byte automaton of a minimal code-point one is a few times smaller than of a merely
     * deterministic one, and minimizing it is faster in proportion.
     */
    private static ByteRunAutomaton toBytes(Automaton a) {
        Automaton bytes;
        try {
            bytes = Operations.determinize(new UTF32ToUTF8().convert(JsonLanguages.minimal(a)),
                    JsonLanguages.WORK_LIMIT);
        } catch (TooComplexToDeterminizeException e) {
            throw new IllegalArgumentException("the constraint is too complex to compile");
        }
        Automaton minimal = Minimizer.minimize(bytes);
        if (Operations.isEmpty(minimal)) {
            throw new IllegalArgumentException("the constraint admits no text");
        }
        return new ByteRunAutomaton(minimal, true, JsonLanguages.WORK_LIMIT);
    }
}
