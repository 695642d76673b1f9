package dev.prefixflow.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable little-endian byte buffer for building a GGUF header in memory. */
final class HeaderEncoder {
    private byte[] bytes = new byte[4096];
    private int size;

    int size() {
        return size;
    }

    ByteBuffer toBuffer() {
        return ByteBuffer.wrap(bytes, 0, size);
    }

    HeaderEncoder u8(int v) {
        room(1).put((byte) v);
        return this;
    }

    HeaderEncoder u16(int v) {
        room(2).putShort((short) v);
        return this;
    }

    HeaderEncoder u32(long v) {
        room(4).putInt((int) v);
        return this;
    }

    HeaderEncoder u64(long v) {
        room(8).putLong(v);
        return this;
    }

    HeaderEncoder f32(float v) {
        room(4).putFloat(v);
        return this;
    }

    HeaderEncoder f64(double v) {
        room(8).putDouble(v);
        return this;
    }

    HeaderEncoder string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        u64(utf8.length);
        room(utf8.length).put(utf8);
        return this;
    }

    /** A buffer view of the next {@code n} bytes, which are then counted as written. */
    private ByteBuffer room(int n) {
        if (size + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
        }
        ByteBuffer view = ByteBuffer.wrap(bytes, size, n).order(ByteOrder.LITTLE_ENDIAN);
        size += n;
        return view;
    }
}
