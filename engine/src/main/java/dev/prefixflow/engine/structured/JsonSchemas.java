package dev.prefixflow.engine.structured;

import static dev.prefixflow.engine.structured.JsonLanguages.compact;
import static dev.prefixflow.engine.structured.JsonLanguages.concat;
import static dev.prefixflow.engine.structured.JsonLanguages.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.util.automaton.Automata;
import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.RegExp;

/**
 * A JSON schema as an automaton over the JSON text of the documents it admits (a subset of them:
 * properties come in their declared order, strings with a pattern or format use no escapes, and
 * extra properties are never written). A keyword that constrains documents in a way not listed in
 * {@link #SUPPORTED} is an error naming it: ignoring it would let invalid documents through.
 * Recursive {@code $ref}s are expanded {@link #MAX_REF_EXPANSIONS} times; deeper branches are cut.
 */
final class JsonSchemas {
    static final Set<String> SUPPORTED = Set.of("type", "enum", "const", "properties", "required",
            "additionalProperties", "items", "minItems", "maxItems", "minLength", "maxLength", "pattern", "format",
            "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "anyOf", "oneOf", "$ref", "$defs",
            "definitions");
    /** Keywords that only annotate: they admit every document. */
    static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$comment", "title", "description", "default",
            "examples", "deprecated", "readOnly", "writeOnly");
    static final Set<String> FORMATS = Set.of("date", "time", "date-time", "uuid");
    static final int MAX_REF_EXPANSIONS = 3;

    private static final String DATE = "[0-9]{4}-((01|03|05|07|08|10|12)-(0[1-9]|[12][0-9]|3[01])"
            + "|(04|06|09|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))";
    /** Offsets within 18 hours, as java.time (and so many validators) accept them. */
    private static final String TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?"
            + "(Z|[\\+\\-](0[0-9]|1[0-7]):[0-5][0-9])";
    private static final String UUID = "[0-9a-fA-F]{8}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{12}";
    /** The formats' languages, built once per JVM (minimal) rather than parsed again in every schema. */
    private static final Map<String, Automaton> FORMAT_LANGUAGES = Map.of(
            "date", formatLanguage(DATE), "time", formatLanguage(TIME), "date-time", formatLanguage(DATE + "T" + TIME),
            "uuid", formatLanguage(UUID));

    private final JsonNode root;
    private final Map<String, Integer> expanding = new HashMap<>();

    private JsonSchemas(JsonNode root) {
        this.root = root;
    }

    static Automaton compile(JsonNode schema) {
        Automaton a = new JsonSchemas(schema).schema(schema, "#");
        if (Operations.isEmpty(a)) {
            throw new IllegalArgumentException("the JSON schema admits no document (are its bounds contradictory, or "
                    + "does a required $ref recurse deeper than " + MAX_REF_EXPANSIONS + " levels?)");
        }
        return a;
    }

    private Automaton schema(JsonNode s, String path) {
        if (s.isBoolean()) {
            return s.asBoolean() ? JsonLanguages.value(JsonLanguages.GENERIC_DEPTH - 1) : Automata.makeEmpty();
        }
        if (!s.isObject()) {
            throw new IllegalArgumentException("the schema at " + path + " must be an object or a boolean, got " + s);
        }
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String keyword = it.next();
            if (!SUPPORTED.contains(keyword) && !ANNOTATIONS.contains(keyword)) {
                throw new IllegalArgumentException("unsupported JSON schema keyword '" + keyword + "' at " + path);
            }
        }
        if (s.has("$ref")) {
            return ref(s.get("$ref").asText(), path);
        }
        for (String combinator : List.of("anyOf", "oneOf")) {
            if (s.has(combinator)) {
                // oneOf's "exactly one" is not enforced: alternatives that overlap may both match.
                List<Automaton> options = new ArrayList<>();
                JsonNode list = s.get(combinator);
                for (int i = 0; i < list.size(); i++) {
                    options.add(schema(list.get(i), path + "/" + combinator + "/" + i));
                }
                return compact(JsonLanguages.union(options));
            }
        }
        if (s.has("const")) {
            return text(s.get("const").toString());
        }
        if (s.has("enum")) {
            List<Automaton> values = new ArrayList<>();
            s.get("enum").forEach(v -> values.add(text(v.toString())));
            return JsonLanguages.union(values);
        }
        List<Automaton> types = new ArrayList<>();
        for (String type : types(s, path)) {
            types.add(typed(s, type, path));
        }
        return compact(JsonLanguages.union(types));
    }

    private static List<String> types(JsonNode s, String path) {
        JsonNode type = s.get("type");
        if (type == null) {
            if (s.has("properties")) {
                return List.of("object");
            }
            if (s.has("items")) {
                return List.of("array");
            }
            return List.of("string", "number", "boolean", "null", "object", "array");
        }
        List<String> out = new ArrayList<>();
        if (type.isTextual()) {
            out.add(type.asText());
        } else if (type.isArray()) {
            type.forEach(t -> out.add(t.asText()));
        } else {
            throw new IllegalArgumentException("'type' at " + path + " must be a string or a list of strings");
        }
        return out;
    }

    private Automaton typed(JsonNode s, String type, String path) {
        return switch (type) {
            case "string" -> string(s, path);
            case "integer" -> integer(s, path);
            case "number" -> number(s, path);
            case "boolean" -> Operations.union(text("true"), text("false"));
            case "null" -> text("null");
            case "object" -> object(s, path);
            case "array" -> array(s, path);
            default -> throw new IllegalArgumentException("unknown type '" + type + "' at " + path);
        };
    }

    private Automaton ref(String ref, String path) {
        String name = defName(ref, path);
        JsonNode target = root.path(ref.startsWith("#/$defs/") ? "$defs" : "definitions").get(name);
        if (target == null) {
            throw new IllegalArgumentException("$ref " + ref + " at " + path + " names no definition");
        }
        int depth = expanding.getOrDefault(ref, 0);
        if (depth >= MAX_REF_EXPANSIONS) {
            return Automata.makeEmpty();
        }
        expanding.put(ref, depth + 1);
        try {
            return schema(target, ref);
        } finally {
            expanding.put(ref, depth);
        }
    }

    private static String defName(String ref, String path) {
        for (String prefix : List.of("#/$defs/", "#/definitions/")) {
            if (ref.startsWith(prefix) && ref.indexOf('/', prefix.length()) < 0) {
                return ref.substring(prefix.length());
            }
        }
        throw new IllegalArgumentException("$ref " + ref + " at " + path
                + " is not supported: only #/$defs/NAME and #/definitions/NAME are");
    }

    private Automaton string(JsonNode s, String path) {
        int min = count(s, "minLength", 0, path);
        int max = count(s, "maxLength", -1, path);
        boolean plain = s.has("pattern") || s.has("format");
        Automaton character = plain ? JsonLanguages.plainChar() : JsonLanguages.stringChar();
        Automaton body = max < 0 ? Operations.repeat(character, min) : Operations.repeat(character, min, max);
        if (s.has("pattern")) {
            body = Operations.intersection(body, Regexes.search(s.get("pattern").asText()));
        }
        if (s.has("format")) {
            body = Operations.intersection(body, format(s.get("format").asText(), path));
        }
        return JsonLanguages.quoted(compact(body));
    }

    private static Automaton format(String format, String path) {
        Automaton language = FORMAT_LANGUAGES.get(format);
        if (language == null) {
            throw new IllegalArgumentException("unsupported string format '" + format + "' at " + path
                    + " (supported: " + String.join(", ", FORMATS.stream().sorted().toList()) + ")");
        }
        return language;
    }

    private static Automaton formatLanguage(String regex) {
        return JsonLanguages.minimal(new RegExp(regex, RegExp.NONE).toAutomaton());
    }

    private static Automaton integer(JsonNode s, String path) {
        if (!hasBounds(s)) {
            return JsonLanguages.integer();
        }
        long lo = s.has("minimum") ? (long) Math.ceil(number(s, "minimum", path)) : Long.MIN_VALUE;
        long hi = s.has("maximum") ? (long) Math.floor(number(s, "maximum", path)) : Long.MAX_VALUE;
        if (s.has("exclusiveMinimum")) {
            lo = Math.max(lo, (long) Math.floor(number(s, "exclusiveMinimum", path)) + 1);
        }
        if (s.has("exclusiveMaximum")) {
            hi = Math.min(hi, (long) Math.ceil(number(s, "exclusiveMaximum", path)) - 1);
        }
        return NumberRanges.integers(lo, hi);
    }

    private static Automaton number(JsonNode s, String path) {
        if (!hasBounds(s)) {
            return JsonLanguages.number();
        }
        for (String exclusive : List.of("exclusiveMinimum", "exclusiveMaximum")) {
            if (s.has(exclusive)) {
                throw new IllegalArgumentException("'" + exclusive + "' at " + path
                        + " is only supported for integers; use minimum/maximum");
            }
        }
        return NumberRanges.numbers(wholeBound(s, "minimum", Long.MIN_VALUE, path),
                wholeBound(s, "maximum", Long.MAX_VALUE, path));
    }

    private static boolean hasBounds(JsonNode s) {
        return s.has("minimum") || s.has("maximum") || s.has("exclusiveMinimum") || s.has("exclusiveMaximum");
    }

    private static long wholeBound(JsonNode s, String keyword, long fallback, String path) {
        if (!s.has(keyword)) {
            return fallback;
        }
        double v = number(s, keyword, path);
        if (v != Math.rint(v) || Math.abs(v) > NumberRanges.LIMIT) {
            throw new IllegalArgumentException("'" + keyword + "' " + s.get(keyword) + " at " + path
                    + ": only whole-number bounds within 16 digits can be enforced on numbers");
        }
        return (long) v;
    }

    private static double number(JsonNode s, String keyword, String path) {
        JsonNode n = s.get(keyword);
        if (!n.isNumber()) {
            throw new IllegalArgumentException("'" + keyword + "' at " + path + " must be a number, got " + n);
        }
        return n.asDouble();
    }

    private static int count(JsonNode s, String keyword, int fallback, String path) {
        JsonNode n = s.get(keyword);
        if (n == null) {
            return fallback;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 0) {
            throw new IllegalArgumentException("'" + keyword + "' at " + path + " must be a non-negative integer");
        }
        return n.asInt();
    }

    /**
     * The declared properties in order, each optional one possibly left out: suffix languages built
     * from the last property back, one for "nothing written yet" and one for "after a member".
     */
    private Automaton object(JsonNode s, String path) {
        JsonNode properties = s.get("properties");
        if (properties == null || properties.isEmpty()) {
            JsonNode additional = s.get("additionalProperties");
            if (additional != null && additional.isBoolean() && !additional.asBoolean()) {
                return text("{}");
            }
            return JsonLanguages.object(JsonLanguages.value(JsonLanguages.GENERIC_DEPTH - 2));
        }
        Set<String> required = new HashSet<>();
        if (s.has("required")) {
            s.get("required").forEach(r -> required.add(r.asText()));
        }
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(names::add);
        for (String r : required) {
            if (!properties.has(r)) {
                throw new IllegalArgumentException("required property '" + r + "' at " + path
                        + " has no schema under properties");
            }
        }
        Automaton ws = JsonLanguages.whitespace();
        Automaton first = Automata.makeEmptyString();
        Automaton after = Automata.makeEmptyString();
        for (int k = names.size() - 1; k >= 0; k--) {
            String name = names.get(k);
            Automaton member = concat(text(TextNode.valueOf(name).toString()), ws, Automata.makeChar(':'), ws,
                    schema(properties.get(name), path + "/properties/" + name));
            Automaton firstHere = concat(member, after);
            Automaton afterHere = concat(ws, Automata.makeChar(','), ws, member, after);
            if (!required.contains(name)) {
                firstHere = Operations.union(firstHere, first);
                afterHere = Operations.union(afterHere, after);
            }
            first = compact(firstHere);
            after = compact(afterHere);
        }
        return concat(Automata.makeChar('{'), ws, first, ws, Automata.makeChar('}'));
    }

    private Automaton array(JsonNode s, String path) {
        JsonNode items = s.get("items");
        if (items != null && items.isArray()) {
            throw new IllegalArgumentException("'items' at " + path + " is a list (tuple validation): not supported");
        }
        Automaton item = items == null ? JsonLanguages.value(JsonLanguages.GENERIC_DEPTH - 2)
                : schema(items, path + "/items");
        return JsonLanguages.list('[', compact(item), count(s, "minItems", 0, path), count(s, "maxItems", -1, path),
                ']');
    }
}
