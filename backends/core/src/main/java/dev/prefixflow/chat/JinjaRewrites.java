package dev.prefixflow.chat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the two Jinja expressions real chat templates use that jinjava reads differently, into
 * equivalent ones it reads as Jinja does. Only the inside of {@code {% %}} and {@code {{ }}} tags changes.
 * <ul>
 *   <li>{@code not x is defined}: Jinja binds the test first ({@code not (x is defined)}); jinjava
 *       negated x first.</li>
 *   <li>{@code x[::-1]}: jinjava's slices take no step; {@code (x|reverse)} is the same list.</li>
 *   <li>{@code namespace(n=a - 1)}: jinjava reads {@code (n=a) - 1}; each keyword's value is bracketed.</li>
 * </ul>
 */
final class JinjaRewrites {
    private static final Pattern TAG = Pattern.compile("\\{%.*?%}|\\{\\{.*?}}", Pattern.DOTALL);
    private static final String PATH = "[A-Za-z_][\\w.]*(?:\\[[^\\[\\]]*\\])*";
    private static final Pattern NOT_IS = Pattern.compile("\\bnot\\s+(" + PATH + ")\\s+is\\s+(not\\s+)?([A-Za-z_]\\w*)");
    private static final Pattern REVERSED = Pattern.compile("(" + PATH + ")\\[\\s*:\\s*:\\s*-1\\s*]");

    private static final Pattern KEYWORD = Pattern.compile("(\\s*[A-Za-z_]\\w*\\s*=)(?!=)(.*)", Pattern.DOTALL);

    private JinjaRewrites() {
    }

    private static String bracketNamespaceArguments(String tag) {
        StringBuilder out = new StringBuilder(tag.length() + 8);
        int from = 0;
        for (int at = tag.indexOf("namespace(", from); at >= 0; at = tag.indexOf("namespace(", from)) {
            int open = at + "namespace(".length();
            out.append(tag, from, open);
            int depth = 0;
            int argumentStart = open;
            int i = open;
            for (; i < tag.length(); i++) {
                char c = tag.charAt(i);
                if (c == '\'' || c == '"') {
                    i = tag.indexOf(c, i + 1);
                } else if (c == '(' || c == '[' || c == '{') {
                    depth++;
                } else if ((c == ',' || c == ')') && depth == 0) {
                    out.append(bracketed(tag.substring(argumentStart, i))).append(c);
                    argumentStart = i + 1;
                    if (c == ')') {
                        break;
                    }
                } else if (c == ')' || c == ']' || c == '}') {
                    depth--;
                }
            }
            from = i + 1;
        }
        return out.append(tag.substring(Math.min(from, tag.length()))).toString();
    }

    /** {@code name=value} becomes {@code name=(value)}; anything else is left as it is. */
    private static String bracketed(String argument) {
        Matcher keyword = KEYWORD.matcher(argument);
        return keyword.matches() ? keyword.group(1) + "(" + keyword.group(2) + ")" : argument;
    }

    static String apply(String source) {
        Matcher tags = TAG.matcher(source);
        StringBuilder out = new StringBuilder(source.length());
        while (tags.find()) {
            String tag = NOT_IS.matcher(tags.group()).replaceAll("not ($1 is $2$3)");
            tag = REVERSED.matcher(tag).replaceAll("($1|reverse)");
            tag = bracketNamespaceArguments(tag);
            tags.appendReplacement(out, Matcher.quoteReplacement(tag));
        }
        tags.appendTail(out);
        return out.toString();
    }
}
