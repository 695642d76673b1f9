package dev.prefixflow.benchmarks;

import dev.prefixflow.gguf.GgmlType;
import dev.prefixflow.model.LoadedModel;
import dev.prefixflow.model.ModelConfig;
import dev.prefixflow.model.ModelLoader;
import dev.prefixflow.model.synthetic.ModelShape;
import dev.prefixflow.platform.KvPool;
import dev.prefixflow.platform.KvPoolSpec;
import dev.prefixflow.platform.Platform;
import dev.prefixflow.platform.Platforms;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Measures what a model costs on the Java heap: the heap in use (after a full collection) before and
 * after loading it, against the file's size, and the heap a KV pool of about {@value #POOL_BYTES} bytes
 * takes per block, against {@link KvPoolSpec#bytesPerBlock()}. For the README's sizing figures, not a test. Arguments:
 * GGUF paths, or SHAPE:TYPE (e.g. llama-1b:Q8_0) for a synthetic model kept in bench-models/.
 */
public final class HeapSizing {
    /** Large arrays, as in a real pool, so that G1's unused ends of humongous regions do not dominate. */
    private static final long POOL_BYTES = 1000L << 20;
    private static final int BLOCK_SIZE = 16;

    public static void main(String[] args) throws Exception {
        Platform platform = Platforms.select(null);
        PrintWriter log = new PrintWriter(System.err, true);
        System.out.printf("%-44s %10s %10s %6s %14s %14s%n", "model", "file MB", "heap MB", "ratio",
                "KV block KiB", "measured KiB");
        for (String arg : args) {
            Path file = arg.contains(":") ? synthetic(arg, log) : Path.of(arg);
            long before = usedHeap();
            try (LoadedModel model = ModelLoader.load(file, platform)) {
                long weights = usedHeap() - before;
                ModelConfig c = model.config();
                long bytesPerBlock = new KvPoolSpec(c.layers(), c.kvHeads(), c.headDim(), 1, BLOCK_SIZE).bytesPerBlock();
                int blocks = (int) (POOL_BYTES / bytesPerBlock);
                KvPoolSpec spec = new KvPoolSpec(c.layers(), c.kvHeads(), c.headDim(), blocks, BLOCK_SIZE);
                long withoutPool = usedHeap();
                KvPool pool = c.attentionBackend(platform).allocate(spec);
                long poolBytes = usedHeap() - withoutPool;
                System.out.printf(Locale.ROOT, "%-44s %10.1f %10.1f %6.3f %14.1f %14.1f%n", file.getFileName(),
                        Files.size(file) / 1e6, weights / 1e6, (double) weights / Files.size(file),
                        spec.bytesPerBlock() / 1024.0, poolBytes / 1024.0 / blocks);
                System.out.flush();
                if (pool.spec() == null) {
                    throw new IllegalStateException("keeps the pool reachable until it is measured");
                }
            }
        }
    }

    private static Path synthetic(String arg, PrintWriter log) throws Exception {
        String[] parts = arg.split(":");
        return new SyntheticModelCache(Path.of("bench-models")).get(ModelShape.parse(parts[0]),
                GgmlType.valueOf(parts[1]), 0, log);
    }

    /** Heap in use after full collections (twice: the second catches what the first's finalization freed). */
    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
