package dev.prefixflow.job.download;

import java.nio.file.Path;

/**
 * What a user passes as {@code --model}: a local file, or {@code hf:OWNER/REPO/FILE.gguf} for a file
 * in a model hub repository (optionally {@code hf:OWNER/REPO/FILE.gguf@REVISION}).
 */
public sealed interface ModelReference {

    record Local(Path path) implements ModelReference {
    }

    record Hub(String owner, String repo, String file, String revision) implements ModelReference {
        /** Path of the file under the hub's endpoint, as the hub's resolve API spells it. */
        public String resolvePath() {
            return owner + "/" + repo + "/resolve/" + revision + "/" + file;
        }

        /** Where the download is kept in the cache directory. */
        public Path cachePath(Path cacheDir) {
            return cacheDir.resolve(owner).resolve(repo).resolve(revision).resolve(file);
        }
    }

    static ModelReference parse(String text) {
        if (!text.startsWith("hf:")) {
            return new Local(Path.of(text));
        }
        String spec = text.substring(3);
        String revision = "main";
        int at = spec.lastIndexOf('@');
        if (at >= 0) {
            revision = spec.substring(at + 1);
            spec = spec.substring(0, at);
        }
        String[] parts = spec.split("/", 3);
        if (parts.length < 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty() || revision.isEmpty()
                || spec.contains("..")) {
            throw new IllegalArgumentException("expected hf:OWNER/REPO/FILE.gguf[@REVISION], got '" + text + "'");
        }
        return new Hub(parts[0], parts[1], parts[2], revision);
    }
}
