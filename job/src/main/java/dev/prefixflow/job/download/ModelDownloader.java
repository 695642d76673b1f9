package dev.prefixflow.job.download;

import dev.prefixflow.job.progress.ProgressLine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Downloads a hub model file once into a cache directory. A partial download ({@code FILE.part}) is
 * resumed with an HTTP range request. The hub states a large file's SHA-256 in its {@code
 * X-Linked-Etag} header (or the ETag); when it does, the finished file must match it, or it is
 * deleted and the download fails.
 */
public final class ModelDownloader {
    /** At most this many files are named when a model is not found. */
    private static final int LISTED_FILES = 20;

    private final URI endpoint;
    private final Path cacheDir;
    private final PrintWriter progress;
    private final ProgressLine.Style progressStyle;
    private final HttpClient http;

    public ModelDownloader(URI endpoint, Path cacheDir, PrintWriter progress, ProgressLine.Style progressStyle) {
        this.endpoint = endpoint;
        this.cacheDir = cacheDir;
        this.progress = progress;
        this.progressStyle = progressStyle;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** The local path of {@code reference}: the file itself, or the cached download (made now if absent). */
    public Path resolve(ModelReference reference) throws IOException {
        if (reference instanceof ModelReference.Local local) {
            if (!Files.isRegularFile(local.path())) {
                throw new IOException("model file not found: " + local.path() + ". " + whatIsThere(local.path())
                        + " Pass the path of a local .gguf file, or hf:OWNER/REPO/FILE.gguf.");
            }
            return local.path();
        }
        ModelReference.Hub hub = (ModelReference.Hub) reference;
        Path target = hub.cachePath(cacheDir);
        if (Files.isRegularFile(target)) {
            return target;
        }
        try {
            download(hub, target);
        } catch (IOException e) {
            throw new IOException("cannot download " + endpoint.resolve(hub.resolvePath()) + ": " + e.getMessage()
                    + ". Offline? Download the file some other way and pass its local path with --model PATH.", e);
        }
        return target;
    }

    private void download(ModelReference.Hub hub, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling(target.getFileName() + ".part");
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.resolve(hub.resolvePath()))
                .timeout(Duration.ofMinutes(10)).GET();
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        int status = response.statusCode();
        boolean resumed = status == 206;
        if (status != 200 && !resumed) {
            response.body().close();
            throw new IOException("HTTP " + status + (status == 404 ? " (no such file in that repository)" : ""));
        }
        if (!resumed) {
            have = 0;
        }
        long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (total >= 0) {
            total += have;
        }
        Optional<String> sha256 = expectedSha256(response);
        try (InputStream in = response.body();
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            copy(in, out, have, total, hub.file());
        }
        if (sha256.isPresent()) {
            String actual = sha256(part);
            if (!actual.equals(sha256.get())) {
                Files.delete(part);
                throw new IOException("checksum mismatch: expected SHA-256 " + sha256.get() + ", got " + actual
                        + " (the partial file was deleted; run again to download afresh)");
            }
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The model files beside a missing one, and those already in the cache, so the user can pick. */
    private String whatIsThere(Path missing) throws IOException {
        Path dir = missing.toAbsolutePath().getParent();
        String beside = !Files.isDirectory(dir) ? "The directory " + dir + " does not exist."
                : "Model files in " + dir + ": " + listing(dir, 1) + ".";
        String cached = !Files.isDirectory(cacheDir) ? "" : " Downloaded models in the model cache " + cacheDir + ": "
                + listing(cacheDir, Integer.MAX_VALUE) + ".";
        return beside + cached;
    }

    /** The .gguf files under {@code dir} (paths relative to it), or "none". */
    private static String listing(Path dir, int depth) throws IOException {
        List<String> names;
        try (Stream<Path> files = Files.find(dir, depth, (p, a) -> a.isRegularFile()
                && p.getFileName().toString().endsWith(".gguf"))) {
            names = files.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
        if (names.isEmpty()) {
            return "none";
        }
        return names.size() <= LISTED_FILES ? String.join(", ", names)
                : String.join(", ", names.subList(0, LISTED_FILES)) + " and " + (names.size() - LISTED_FILES) + " more";
    }

    private void copy(InputStream in, OutputStream out, long done, long total, String name) throws IOException {
        byte[] buffer = new byte[1 << 16];
        ProgressLine line = progressStyle.start(progress);
        int n;
        while ((n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
            done += n;
            long bytes = done;
            line.update(System.nanoTime(), () -> progressLine(name, bytes, total));
        }
        line.finish(progressLine(name, done, total));
    }

    static String progressLine(String name, long done, long total) {
        if (total <= 0) {
            return String.format(Locale.ROOT, "downloading %s: %.1f MB", name, done / 1e6);
        }
        int width = 30;
        int filled = (int) (width * done / total);
        return String.format(Locale.ROOT, "downloading %s [%s%s] %5.1f%% %.1f/%.1f MB", name, "#".repeat(filled),
                " ".repeat(width - filled), 100.0 * done / total, done / 1e6, total / 1e6);
    }

    /** The SHA-256 the hub states for the file, if its (linked) ETag is one. */
    private static Optional<String> expectedSha256(HttpResponse<?> response) {
        String tag = response.headers().firstValue("X-Linked-Etag")
                .or(() -> response.headers().firstValue("ETag")).orElse("");
        tag = tag.replace("W/", "").replace("\"", "").toLowerCase(Locale.ROOT);
        return tag.matches("[0-9a-f]{64}") ? Optional.of(tag) : Optional.empty();
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
