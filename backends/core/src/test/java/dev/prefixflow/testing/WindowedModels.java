package dev.prefixflow.testing;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufWriter;
import dev.prefixflow.gguf.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Checked-in models with another sliding window, written at test time rather than checked in twice:
 * {@code arch/phi3-ref.gguf} with a window W on every layer (models/arch/README.md has float64
 * references for W = 20).
 */
public final class WindowedModels {
    private static final String PHI3_WINDOW = "phi3.attention.sliding_window";

    private WindowedModels() {
    }

    /** A copy of phi3-ref.gguf in {@code dir} whose every layer attends through {@code window} positions. */
    public static Path phi3(int window, Path dir) throws IOException {
        Path out = dir.resolve("phi3-window" + window + ".gguf");
        try (GgufFile in = GgufFile.open(TestModels.path("arch/phi3-ref.gguf"))) {
            GgufWriter w = new GgufWriter().copyMetadata(in, key -> !key.equals(PHI3_WINDOW));
            w.putUInt32(PHI3_WINDOW, window);
            for (TensorInfo t : in.tensors().values()) {
                w.addTensor(t.name(), t.type(), t.dims(), in.load(t.name()).data());
            }
            w.write(out);
        }
        return out;
    }
}
