package dev.prefixflow.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small adapters that make jinjava render as jinja2 does; expected values are jinja2 3.1.6's. */
class JinjaAdaptersTest {
    private static final List<Map<String, Object>> TWO = List.of(
            Map.of("role", "user", "content", "  Hi there \n"), Map.of("role", "assistant", "content", "Yo"));

    private static String render(String template) throws ChatTemplateException {
        return new ChatTemplate(template, ChatTemplateCasesTest.REFERENCE_DAY).render(TWO, true, "<s>", "</s>", Map.of());
    }

    @Test
    void pythonStringMethods() throws Exception {
        assertEquals("[Hi there]", render("[{{ messages[0].content.strip() }}]"));
        assertEquals("[Hi there \n]", render("[{{ messages[0].content.lstrip() }}]"));
        assertEquals("True|False", render("{{ messages[0].role.startswith('us') }}|{{ 'abc'.endswith(('x', 'y')) }}")
                .replace("true", "True").replace("false", "False"));
        assertEquals("a|b c", render("{{ 'a,b c'.split(',') | join('|') }}"));
        assertEquals("3", render("{{ ' a  b\\tc '.split() | length }}"));
        assertEquals("USER-yo-Hello World", render("{{ messages[0].role.upper() }}-{{ 'YO'.lower() }}-{{ 'hello world'.title() }}"));
        assertEquals("a-b-c", render("{{ 'a b c'.replace(' ', '-') }}"));
        assertEquals("<|x:1|>", render("{{ '<|{}:{}|>'.format('x', 1) }}"));
    }

    @Test
    void operatorPrecedenceAndSlicesAsJinja() throws Exception {
        // not x is defined == not (x is defined)
        assertEquals("no", render("{% if not add_generation_prompt is defined %}yes{% else %}no{% endif %}"));
        assertEquals("assistant,user", render("{% for m in messages[::-1] %}{{ m.role }}{% if not loop.last %},{% endif %}{% endfor %}"));
        assertEquals("1", render("{% set ns = namespace(last=messages|length - 1) %}{{ ns.last }}"));
        assertEquals("found", render("{% set ns = namespace(hit=false) %}{% for m in messages %}{% if m.role == 'assistant' %}"
                + "{% set ns.hit = true %}{% break %}{% endif %}{% endfor %}{{ 'found' if ns.hit else 'none' }}"));
        assertEquals("user", render("{% for m in messages %}{% if loop.index0 == 1 %}{% continue %}{% endif %}{{ m.role }}{% endfor %}"));
    }

    @Test
    void tojsonAsPythonJsonDumps() throws Exception {
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("name", "météo");
        tool.put("args", List.of(1, 2.5, true));
        tool.put("q", "say \"hi\"\n");
        assertEquals("{\"name\": \"météo\", \"args\": [1, 2.5, true], \"q\": \"say \\\"hi\\\"\\n\"}",
                PythonJson.dumps(tool, null, false));
        assertEquals("{\n  \"a\": [\n    1\n  ],\n  \"b\": {}\n}",
                PythonJson.dumps(new java.util.TreeMap<>(Map.of("b", Map.of(), "a", List.of(1))), 2, false));
        assertEquals("[1.0, 1e+16, 0.0001, 1e-05]", PythonJson.dumps(List.of(1.0, 1e16, 1e-4, 1e-5), null, false));
        assertEquals("{\"role\": \"user\", \"content\": \"x\"}",
                render("{{ {'role': 'user', 'content': 'x'} | tojson }}"));
    }

    @Test
    void globals() throws Exception {
        assertEquals("15 Jan 2026|January 15, 2026", render("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%B %d, %Y') }}"));
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> render("a{{ raise_exception('Roles must alternate') }}b"));
        assertEquals("chat template raised: Roles must alternate", e.getMessage());
        ChatTemplateException broken = assertThrows(ChatTemplateException.class, () -> render("{% if %}"));
        assertTrue(broken.getMessage().startsWith("chat template error"), broken.getMessage());
    }
}
