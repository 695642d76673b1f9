package dev.prefixflow.engine.structured;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prefixflow.tokenizer.Tokenizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import org.apache.lucene.util.automaton.Automata;
import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.ByteRunAutomaton;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/**
 * Compiles requests' constraints for one tokenizer (vLLM's StructuredOutputManager). The vocabulary
 * trie is built on the first constrained request, so an engine that never sees one pays nothing;
 * compiled constraints are kept (the last {@link #CACHED} of them), so requests that share a schema
 * share its automaton and its masks.
 */
public final class StructuredOutputManager {
    static final int CACHED = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Tokenizer tokenizer;
    private final Executor executor;
    private final StructuredOutputStats stats = new StructuredOutputStats();
    private final Map<StructuredOutputsParams, CompiledGrammar> compiled = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<StructuredOutputsParams, CompiledGrammar> eldest) {
            return size() > CACHED;
        }
    };
    private VocabularyTrie trie;

    public StructuredOutputManager(Tokenizer tokenizer) {
        this(tokenizer, ForkJoinPool.commonPool());
    }

    /** @param executor where masks are built */
    public StructuredOutputManager(Tokenizer tokenizer, Executor executor) {
        this.tokenizer = tokenizer;
        this.executor = executor;
    }

    /**
     * A fresh matcher for a request's constraint.
     *
     * @throws IllegalArgumentException naming the problem: invalid schema JSON, an unsupported
     *     keyword, a regex that cannot be compiled, an empty choice list, a constraint too complex
     */
    public StructuredOutputGrammar grammar(StructuredOutputsParams params) {
        return new StructuredOutputGrammar(compiled(params), stats, tokenizer.eosId());
    }

    synchronized CompiledGrammar compiled(StructuredOutputsParams params) {
        CompiledGrammar g = compiled.get(params);
        if (g == null) {
            long start = System.nanoTime();
            if (trie == null) {
                trie = new VocabularyTrie(tokenizer);
            }
            g = new CompiledGrammar(toBytes(automaton(params)), trie, tokenizer.eosId(), executor, stats);
            compiled.put(params, g);
            stats.compiled(System.nanoTime() - start);
        }
        return g;
    }

    /**
     * Compiles a constraint as far as it goes without a tokenizer, so that a caller without the model
     * (a SQL planner) can reject a bad one early.
     *
     * @throws IllegalArgumentException naming the problem, as {@link #grammar} would
     */
    public static void check(StructuredOutputsParams params) {
        toBytes(automaton(params));
    }

    public StructuredOutputStats stats() {
        return stats;
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

    private static ByteRunAutomaton toBytes(Automaton a) {
        Automaton live = Operations.removeDeadStates(JsonLanguages.minimal(a));
        if (Operations.isEmpty(live)) {
            throw new IllegalArgumentException("the constraint admits no text");
        }
        try {
            return new ByteRunAutomaton(live, false, JsonLanguages.WORK_LIMIT);
        } catch (TooComplexToDeterminizeException e) {
            throw new IllegalArgumentException("the constraint is too complex to compile");
        }
    }
}
