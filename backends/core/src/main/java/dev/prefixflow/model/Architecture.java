package dev.prefixflow.model;

import dev.prefixflow.gguf.GgufFile;
import dev.prefixflow.platform.Platform;
import java.io.IOException;

/** A model family named by {@code general.architecture}: how its tensors and hyperparameters are read. */
public interface Architecture {

    /** The {@code general.architecture} value this class reads. */
    String name();

    Model load(GgufFile file, int vocabSize, Platform platform) throws IOException;
}
