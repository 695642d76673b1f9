package dev.prefixflow.lora;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.gguf.GgufFormatException;
import dev.prefixflow.gguf.TensorInfo;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.PlatformCapabilities;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a LoRA adapter in llama.cpp's GGUF format ({@code general.type = "adapter"}, {@code
 * adapter.type = "lora"}, {@code adapter.lora.alpha}, tensors {@code <base tensor>.lora_a} and
 * {@code .lora_b}) for one loaded base model, checking every pair against the base tensor it
 * changes, and uploads it to the platform.
 */
public final class LoraAdapterLoader {
    private static final String A = ".lora_a";
    private static final String B = ".lora_b";
    private static final Pattern BLOCK_TENSOR = Pattern.compile("blk\\.(\\d+)\\.([a-z_]+)\\.weight");

    private LoraAdapterLoader() {
    }

    /** Loads the adapter at {@code path} under {@code name}, for {@code base} on {@code platform}. */
    public static LoraAdapter load(String name, Path path, LoadedModel base, Platform platform) throws IOException {
        requireSupport(platform.name(), platform.capabilities());
        try (GgufFile file = GgufFile.open(path)) {
            expectValue(file, "general.type", "adapter");
            expectValue(file, "adapter.type", "lora");
            expectValue(file, "general.architecture", base.file().getString("general.architecture"));
            float alpha = file.getFloat("adapter.lora.alpha", 0);
            LoraPair[][] pairs = new LoraPair[base.config().layers()][LoraTarget.values().length];
            int count = 0;
            for (TensorInfo t : file.tensors().values()) {
                if (t.name().endsWith(B)) {
                    partner(file, t, t.name().substring(0, t.name().length() - B.length()) + A);
                    continue;
                }
                if (!t.name().endsWith(A)) {
                    throw new GgufFormatException(path, t.offset(), t.name(),
                            "a LoRA adapter holds only <tensor>.lora_a and <tensor>.lora_b tensors");
                }
                String baseName = t.name().substring(0, t.name().length() - A.length());
                TensorInfo b = partner(file, t, baseName + B);
                Slot slot = slot(file, t, base.file().tensor(baseName));
                pairs[slot.layer][slot.target.ordinal()] = pair(file, t, b, base.file().tensor(baseName), alpha,
                        platform);
                count++;
            }
            if (count == 0) {
                throw new GgufFormatException(path, -1, "tensors", "the adapter has no lora_a/lora_b pairs");
            }
            return new LoraAdapter(name, pairs);
        }
    }

    static void requireSupport(String platformName, PlatformCapabilities capabilities) {
        if (!capabilities.lora()) {
            throw new UnsupportedOperationException("platform '" + platformName
                    + "' does not support LoRA adapters");
        }
    }

    private record Slot(int layer, LoraTarget target) {
    }

    /** Which layer and projection the base tensor is, when it is one an adapter may change. */
    private static Slot slot(GgufFile file, TensorInfo a, TensorInfo baseTensor) throws GgufFormatException {
        String baseName = a.name().substring(0, a.name().length() - A.length());
        if (baseTensor == null) {
            throw new GgufFormatException(file.path(), a.offset(), a.name(), "the base model has no tensor '"
                    + baseName + "'");
        }
        Matcher m = BLOCK_TENSOR.matcher(baseName);
        LoraTarget target = m.matches() ? LoraTarget.byGgufName(m.group(2)) : null;
        if (target == null) {
            throw new GgufFormatException(file.path(), a.offset(), a.name(), "LoRA on '" + baseName
                    + "' is not supported; targets: blk.N.{" + String.join(",",
                    Arrays.stream(LoraTarget.values()).map(LoraTarget::ggufName).toList()) + "}.weight");
        }
        return new Slot(Integer.parseInt(m.group(1)), target);
    }

    /** Checks A [n_in, r] and B [r, n_out] against the base's [n_in, n_out], then uploads them. */
    private static LoraPair pair(GgufFile file, TensorInfo a, TensorInfo b, TensorInfo baseTensor, float alpha,
                                 Platform platform) throws IOException {
        long[] w = baseTensor.dims();
        long rank = b.dims()[0];
        expectDims(file, a, new long[] {w[0], rank}, baseTensor);
        expectDims(file, b, new long[] {rank, w[1]}, baseTensor);
        for (TensorInfo t : new TensorInfo[] {a, b}) {
            if (!platform.capabilities().supports(t.type())) {
                throw new GgufFormatException(file.path(), t.offset(), t.name(), "tensor type " + t.type()
                        + " is not supported by platform '" + platform.name() + "'");
            }
        }
        // llama.cpp's rule: alpha / rank, or 1 when the adapter states no alpha.
        float scale = alpha == 0 ? 1f : alpha / rank;
        return new LoraPair(platform.kernels().upload(file.load(a.name())),
                platform.kernels().upload(file.load(b.name())), scale);
    }

    private static void expectDims(GgufFile file, TensorInfo t, long[] dims, TensorInfo baseTensor)
            throws GgufFormatException {
        if (t.dims().length != 2 || !Arrays.equals(t.dims(), dims)) {
            throw new GgufFormatException(file.path(), t.offset(), t.name(), "expected dims " + Arrays.toString(dims)
                    + " for base tensor '" + baseTensor.name() + "' of dims " + Arrays.toString(baseTensor.dims())
                    + ", found " + Arrays.toString(t.dims()));
        }
    }

    private static TensorInfo partner(GgufFile file, TensorInfo t, String partnerName) throws GgufFormatException {
        TensorInfo partner = file.tensor(partnerName);
        if (partner == null) {
            throw new GgufFormatException(file.path(), t.offset(), t.name(), "its partner '" + partnerName
                    + "' is missing");
        }
        return partner;
    }

    private static void expectValue(GgufFile file, String key, String expected) throws GgufFormatException {
        String value = file.getString(key);
        if (!expected.equals(value)) {
            throw new GgufFormatException(file.path(), file.offset(key), key, "expected '" + expected + "', found "
                    + (value == null ? "nothing" : "'" + value + "'"));
        }
    }
}
