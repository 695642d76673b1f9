package dev.prefixflow.connectors.files;

import org.apache.flink.api.common.serialization.Encoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

/**
 * JSON Lines files: a bounded source of raw lines, and a sink that writes one line per element into
 * part files of a directory. Part files are committed on checkpoint: until then they are hidden
 * in-progress files, so no reader sees half a run.
 */
public final class JsonlFiles {

    private JsonlFiles() {
    }

    public static FileSource<byte[]> source(String path) {
        return FileSource.forRecordStreamFormat(new ByteLinesFormat(), new Path(path)).build();
    }

    public static FileSink<byte[]> sink(String directory) {
        Encoder<byte[]> lines = (element, stream) -> {
            stream.write(element);
            stream.write('\n');
        };
        return FileSink.forRowFormat(new Path(directory), lines)
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("part").withPartSuffix(".jsonl").build())
                .build();
    }
}
