package dev.prefixflow.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * A model's chat template ({@code tokenizer.chat_template}), rendered as Hugging Face transformers
 * renders it: Jinja with trim_blocks and lstrip_blocks, loop controls, {@code raise_exception},
 * {@code strftime_now}, a {@code tojson} that keeps non-ASCII, and the variables {@code messages},
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token} plus any extra keyword arguments.
 *
 * <p>The engine is HubSpot's jinjava with its Jinja-faithful parsing switches on; Python's string
 * methods come from {@link PythonStringMethods}. Immutable and thread-safe.
 */
public final class ChatTemplate {
    private static final Jinjava JINJAVA = newJinjava();

    private final String source;
    /** The source as jinjava must read it to read it as Jinja does. */
    private final String jinjaSource;
    private final Clock clock;

    public ChatTemplate(String source) {
        this(source, Clock.systemUTC());
    }

    /** @param clock what {@code strftime_now} reads (a fixed clock makes renders reproducible in tests) */
    public ChatTemplate(String source, Clock clock) {
        this.source = source;
        this.jinjaSource = JinjaRewrites.apply(source);
        this.clock = clock;
    }

    public String source() {
        return source;
    }

    /**
     * Renders {@code messages} (each a map with at least "role" and "content", as parsed from JSON).
     *
     * @param extra more template variables (vLLM's chat_template_kwargs); they cannot replace the four
     *     named ones
     */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, String bosToken,
                         String eosToken, Map<String, ?> extra) throws ChatTemplateException {
        Map<String, Object> context = new HashMap<>(extra);
        context.put("messages", messages);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        // A variable as well as a function, so that "strftime_now is defined" holds as in transformers.
        context.put("strftime_now", true);
        context.put(TemplateGlobals.CLOCK, clock);
        RenderResult result;
        try {
            result = JINJAVA.renderForResult(jinjaSource, context);
        } catch (RuntimeException e) {
            throw new ChatTemplateException("chat template failed: " + e.getMessage());
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ChatTemplateException(describe(error));
            }
        }
        return result.getOutput();
    }

    private static String describe(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof TemplateGlobals.TemplateRaised raised) {
                return "chat template raised: " + raised.getMessage();
            }
        }
        return "chat template error at line " + error.getLineno() + ": " + error.getMessage();
    }

    private static Jinjava newJinjava() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                // Jinja's own rules where jinjava's defaults differ: whitespace control, operator precedence,
                // None in loops, Python-style printing of lists and dicts.
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withKeepNullableLoopValues(true)
                        .withUsePyishObjectMapper(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateGlobals.class,
                "raiseException", Object.class));
        jinjava.registerFunction(new ELFunctionDefinition("", "strftime_now", TemplateGlobals.class,
                "strftimeNow", String.class));
        jinjava.registerFilter(new ToJsonFilter());
        return jinjava;
    }
}
