package dev.prefixflow.cpu;

import dev.prefixflow.platform.IntTensor;

/** Ints in a heap array of their own (a copy of the host's, so later host writes cannot reach it). */
final class CpuIntTensor implements IntTensor {
    final int[] data;

    CpuIntTensor(int[] data) {
        this.data = data;
    }

    @Override
    public int length() {
        return data.length;
    }

    static int[] data(IntTensor t) {
        if (t instanceof CpuIntTensor c) {
            return c.data;
        }
        throw new IllegalArgumentException("int tensor " + t + " was not allocated by the cpu platform");
    }
}
