package dev.prefixflow.job.download;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.prefixflow.job.progress.ProgressLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a real HTTP server on 127.0.0.1 that speaks the hub's resolve API. */
class ModelDownloaderTest {
    static final String PATH = "/acme/tiny/resolve/main/model.gguf";
    byte[] content = new byte[300_000];
    String advertisedSha256;
    final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
    HttpServer server;
    URI endpoint;
    static final ProgressLine.Style LINES = new ProgressLine.Style(false, Duration.ofSeconds(10));

    final ByteArrayOutputStream progress = new ByteArrayOutputStream();

    @TempDir
    Path cache;

    @BeforeEach
    void start() throws IOException {
        new Random(1).nextBytes(content);
        Path tmp = Files.createTempFile("content", ".bin");
        Files.write(tmp, content);
        advertisedSha256 = ModelDownloader.sha256(tmp);
        Files.delete(tmp);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::serve);
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(PATH)) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        String range = exchange.getRequestHeaders().getFirst("Range");
        ranges.add(String.valueOf(range));
        int from = range == null ? 0 : Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
        exchange.getResponseHeaders().add("X-Linked-Etag", "\"" + advertisedSha256 + "\"");
        exchange.sendResponseHeaders(range == null ? 200 : 206, content.length - from);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(content, from, content.length - from);
        }
    }

    ModelDownloader downloader() {
        return new ModelDownloader(endpoint, cache, new PrintWriter(progress, true), LINES);
    }

    @Test
    void downloadsOnceWithProgressAndReusesTheCache() throws IOException {
        ModelReference ref = ModelReference.parse("hf:acme/tiny/model.gguf");
        Path file = downloader().resolve(ref);
        assertArrayEquals(content, Files.readAllBytes(file));
        assertTrue(progress.toString().contains("100.0%"), progress.toString());
        assertEquals(file, downloader().resolve(ref));
        assertEquals(1, ranges.size(), "the second resolve uses the cache");
    }

    @Test
    void resumesAPartialDownloadWithARangeRequest() throws IOException {
        ModelReference.Hub ref = (ModelReference.Hub) ModelReference.parse("hf:acme/tiny/model.gguf");
        Path target = ref.cachePath(cache);
        Files.createDirectories(target.getParent());
        Files.write(target.resolveSibling("model.gguf.part"), java.util.Arrays.copyOf(content, 123_456));
        Path file = downloader().resolve(ref);
        assertEquals(List.of("bytes=123456-"), ranges);
        assertArrayEquals(content, Files.readAllBytes(file));
    }

    @Test
    void aChecksumMismatchFailsAndDeletesThePartialFile() {
        advertisedSha256 = "0".repeat(64);
        ModelReference.Hub ref = (ModelReference.Hub) ModelReference.parse("hf:acme/tiny/model.gguf");
        IOException e = assertThrows(IOException.class, () -> downloader().resolve(ref));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertFalse(Files.exists(ref.cachePath(cache)));
        assertFalse(Files.exists(ref.cachePath(cache).resolveSibling("model.gguf.part")));
    }

    @Test
    void aMissingFileNamesTheUrlAndHowToPassALocalPath() {
        IOException e = assertThrows(IOException.class,
                () -> downloader().resolve(ModelReference.parse("hf:acme/tiny/other.gguf")));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains("--model PATH"), e.getMessage());
    }

    @Test
    void offlineFailsAtOnceWithAHint() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        ModelDownloader offline = new ModelDownloader(URI.create("http://127.0.0.1:" + closedPort + "/"), cache,
                new PrintWriter(progress, true), LINES);
        IOException e = assertThrows(IOException.class,
                () -> offline.resolve(ModelReference.parse("hf:acme/tiny/model.gguf")));
        assertTrue(e.getMessage().contains("Offline?"), e.getMessage());
    }

    @Test
    void referencesAreParsedOrRejectedClearly() {
        assertEquals(new ModelReference.Hub("a", "b", "dir/c.gguf", "v1"),
                ModelReference.parse("hf:a/b/dir/c.gguf@v1"));
        assertEquals(new ModelReference.Local(Path.of("x.gguf")), ModelReference.parse("x.gguf"));
        assertThrows(IllegalArgumentException.class, () -> ModelReference.parse("hf:a/b"));
        assertThrows(IllegalArgumentException.class, () -> ModelReference.parse("hf:a/../../etc/passwd"));
        IOException e = assertThrows(IOException.class,
                () -> downloader().resolve(ModelReference.parse(cache.resolve("none.gguf").toString())));
        assertTrue(e.getMessage().contains("model file not found"));
    }

    @Test
    void aMissingLocalModelNamesTheModelsThatAreThere(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("models"));
        Files.write(dir.resolve("models/kjv-q80.gguf"), new byte[8]);
        Files.write(dir.resolve("models/notes.txt"), new byte[8]);
        downloader().resolve(ModelReference.parse("hf:acme/tiny/model.gguf"));
        IOException e = assertThrows(IOException.class,
                () -> downloader().resolve(ModelReference.parse(dir.resolve("models/kjv-f32.gguf").toString())));
        assertTrue(e.getMessage().contains("model file not found: " + dir.resolve("models/kjv-f32.gguf")), e.getMessage());
        assertTrue(e.getMessage().contains("Model files in " + dir.resolve("models") + ": kjv-q80.gguf."), e.getMessage());
        assertTrue(e.getMessage().contains("model cache " + cache + ": "
                + Path.of("acme", "tiny", "main", "model.gguf") + "."), e.getMessage());

        IOException noDir = assertThrows(IOException.class,
                () -> downloader().resolve(ModelReference.parse(dir.resolve("nowhere/m.gguf").toString())));
        assertTrue(noDir.getMessage().contains("The directory " + dir.resolve("nowhere") + " does not exist"),
                noDir.getMessage());
    }
}
