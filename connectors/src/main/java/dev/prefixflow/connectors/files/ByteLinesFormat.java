package dev.prefixflow.connectors.files;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads a file as lines of raw bytes (split at '\n', a trailing '\r' dropped). Bytes, not text,
 * because a line that is not valid UTF-8 must reach the dead-letter output as it was.
 */
public final class ByteLinesFormat extends SimpleStreamFormat<byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public StreamFormat.Reader<byte[]> createReader(Configuration config, FSDataInputStream stream) {
        return new Reader(stream);
    }

    @Override
    public TypeInformation<byte[]> getProducedType() {
        return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }

    private static final class Reader implements StreamFormat.Reader<byte[]> {
        private final InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private int position;
        private int limit;

        Reader(InputStream in) {
            this.in = in;
        }

        @Override
        public byte[] read() throws IOException {
            ByteArrayOutputStream line = null;
            while (true) {
                if (position == limit) {
                    limit = in.read(buffer);
                    position = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return line == null ? null : strip(line.toByteArray());
                    }
                }
                int start = position;
                while (position < limit && buffer[position] != '\n') {
                    position++;
                }
                if (line == null) {
                    line = new ByteArrayOutputStream();
                }
                line.write(buffer, start, position - start);
                if (position < limit) {
                    position++; // the '\n'
                    return strip(line.toByteArray());
                }
            }
        }

        private static byte[] strip(byte[] line) {
            return line.length > 0 && line[line.length - 1] == '\r'
                    ? java.util.Arrays.copyOf(line, line.length - 1) : line;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
