package dev.prefixflow.model;

import dev.prefixflow.gguf.Dequantize;
import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufFormatException;
import dev.prefixflow.gguf.TensorData;
import dev.prefixflow.gguf.TensorInfo;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Tensor;
import dev.prefixflow.platform.Weight;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Takes tensors out of a GGUF file onto a platform, checking each one's shape and type first. */
final class WeightLoader {
    private final GgufFile file;
    private final Platform platform;

    WeightLoader(GgufFile file, Platform platform) {
        this.file = file;
        this.platform = platform;
    }

    boolean has(String name) {
        return file.tensor(name) != null;
    }

    /** A matrix of {@code rows} rows of {@code cols} weights (GGUF dims [cols, rows]). */
    Weight matrix(String name, int cols, int rows) throws IOException {
        TensorInfo info = expect(name, new long[] {cols, rows});
        checkPlatformRuns(name, info);
        return platform.kernels().upload(file.load(name));
    }

    private void checkPlatformRuns(String name, TensorInfo info) throws GgufFormatException {
        if (!platform.capabilities().supports(info.type())) {
            throw new GgufFormatException(file.path(), info.offset(), name, "tensor type " + info.type()
                    + " is not supported by platform '" + platform.name() + "' (it runs "
                    + platform.capabilities().weightTypes() + ")");
        }
    }

    /** The parts of a fused matrix, each a weight of its own on the platform. */
    record Fused(List<Weight> parts) {
        Weight part(int i) {
            return parts.get(i);
        }
    }

    /**
     * A matrix whose rows are several matrices one after the other ({@code rows[i]} rows each, of
     * {@code cols} weights), split into them.
     */
    Fused fused(String name, int cols, int... rows) throws IOException {
        int total = Arrays.stream(rows).sum();
        TensorInfo info = expect(name, new long[] {cols, total});
        checkPlatformRuns(name, info);
        TensorData data = file.load(name);
        List<Weight> parts = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < rows.length; i++) {
            parts.add(platform.kernels().upload(data.rowSlice(name + "[" + i + "]", from, rows[i])));
            from += rows[i];
        }
        return new Fused(parts);
    }

    /** A vector (norm weights, biases) as a one-row tensor on the platform. */
    Tensor vector(String name, int size) throws IOException {
        return platform.kernels().copyIn(hostVector(name, size), 1, size);
    }

    /** A vector as host floats, for what is computed on the host at load time (the RoPE table). */
    float[] hostVector(String name, int size) throws IOException {
        expect(name, new long[] {size});
        TensorData data = file.load(name);
        float[] out = new float[size];
        Dequantize.row(data, 0, out, 0);
        return out;
    }

    private TensorInfo expect(String name, long[] dims) throws GgufFormatException {
        TensorInfo info = file.tensor(name);
        if (info == null) {
            throw new GgufFormatException(file.path(), -1, name, "the tensor is missing");
        }
        if (!Arrays.equals(info.dims(), dims)) {
            throw new GgufFormatException(file.path(), info.offset(), name, "expected dims "
                    + Arrays.toString(dims) + " from the hyperparameters, found " + Arrays.toString(info.dims()));
        }
        if (!info.type().supported()) {
            throw new GgufFormatException(file.path(), info.offset(), name, "tensor type " + info.type()
                    + " is not supported (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
        }
        return info;
    }
}
