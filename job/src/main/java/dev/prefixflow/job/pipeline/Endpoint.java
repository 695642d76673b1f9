package dev.prefixflow.job.pipeline;

import java.net.URI;

/**
 * Where requests come from or results go: {@code kafka://HOST:PORT/TOPIC}, {@code jsonl:PATH},
 * {@code arrow:DIR} (results only), or a bare path, which means JSONL.
 */
public sealed interface Endpoint {

    record Kafka(String bootstrapServers, String topic) implements Endpoint {
    }

    record Jsonl(String path) implements Endpoint {
    }

    record Arrow(String directory) implements Endpoint {
    }

    static Endpoint parse(String text) {
        if (text.startsWith("kafka://")) {
            URI uri = URI.create(text);
            String topic = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
            if (uri.getHost() == null || uri.getPort() < 0 || topic.isEmpty() || topic.contains("/")) {
                throw new IllegalArgumentException("expected kafka://HOST:PORT/TOPIC, got '" + text + "'");
            }
            return new Kafka(uri.getHost() + ":" + uri.getPort(), topic);
        }
        if (text.startsWith("jsonl:")) {
            return new Jsonl(nonEmpty(text.substring(6), text));
        }
        if (text.startsWith("arrow:")) {
            return new Arrow(nonEmpty(text.substring(6), text));
        }
        return new Jsonl(nonEmpty(text, text));
    }

    private static String nonEmpty(String path, String text) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("no path in '" + text + "'");
        }
        return path;
    }
}
