package dev.prefixflow.job;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.UnsupportedFileSystemSchemeException;
import org.apache.flink.runtime.util.EnvironmentInformation;

/** What an operator can do about a failure, for the causes where that is known. */
final class ErrorHints {
    private static final Pattern SCHEME = Pattern.compile("scheme '([^']*)'");

    /** Flink's file system plugins by URI scheme (the jars in a Flink distribution's opt/ folder). */
    private static final Map<String, String> FILE_SYSTEM_PLUGINS = Map.of(
            "s3", "flink-s3-fs-hadoop (or flink-s3-fs-presto)",
            "s3a", "flink-s3-fs-hadoop",
            "s3p", "flink-s3-fs-presto",
            "gs", "flink-gs-fs-hadoop",
            "abfs", "flink-azure-fs-hadoop",
            "abfss", "flink-azure-fs-hadoop",
            "wasb", "flink-azure-fs-hadoop",
            "wasbs", "flink-azure-fs-hadoop",
            "oss", "flink-oss-fs-hadoop");

    private ErrorHints() {
    }

    static Optional<String> hint(Throwable t) {
        if (t instanceof UnsupportedFileSystemSchemeException) {
            return Optional.of(fileSystem(t.getMessage()));
        }
        if (t instanceof OutOfMemoryError && String.valueOf(t.getMessage()).contains("heap")) {
            return Optional.of("the weights and every inference subtask's KV pool live on the Java heap (see the "
                    + "README, Operating: sizing). Give the JVM more (-Xmx in PREFIXFLOW_JAVA_OPTS for local runs, "
                    + "taskmanager.memory.task.heap.size on a cluster) or lower --kv-cache-blocks or --max-num-seqs.");
        }
        if (t instanceof NoClassDefFoundError && String.valueOf(t.getMessage()).contains("jdk/incubator/vector")) {
            return Optional.of("the CPU engine needs the JVM flag --add-modules jdk.incubator.vector (on a cluster: "
                    + "env.java.opts.taskmanager).");
        }
        return Optional.empty();
    }

    private static String fileSystem(String message) {
        Matcher m = SCHEME.matcher(String.valueOf(message));
        String scheme = m.find() ? m.group(1) : null;
        String plugin = scheme == null ? null : FILE_SYSTEM_PLUGINS.get(scheme);
        if (scheme != null && (scheme.equals("hdfs") || scheme.equals("viewfs"))) {
            return "HDFS needs Hadoop's jars: export HADOOP_CLASSPATH=$(hadoop classpath) before starting Flink "
                    + "(or this command).";
        }
        if (plugin == null) {
            return "Flink has no file system for " + (scheme == null ? "this URI" : scheme + "://")
                    + "; see Flink's documentation on file systems and plugins.";
        }
        String jar = plugin.split(" ")[0];
        String folder = jar.substring("flink-".length());
        return "Flink has no file system for " + scheme + "://: it comes as a plugin, " + plugin + ". On a cluster, "
                + "copy opt/" + jar + "-" + EnvironmentInformation.getVersion() + ".jar of the Flink distribution "
                + "into plugins/" + folder + "/ on the JobManager and every TaskManager, and where `flink run` runs. "
                + "For a local run, put that jar in ./plugins/" + folder
                + "/, or in a folder of its own under the directory FLINK_PLUGINS_DIR names.";
    }
}
