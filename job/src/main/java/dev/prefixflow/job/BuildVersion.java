package dev.prefixflow.job;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version and the git commit the build wrote into the jar (see the job module's pom). */
final class BuildVersion implements IVersionProvider {
    /** What the build writes when it cannot ask git. */
    private static final String UNKNOWN = "unknown";

    @Override
    public String[] getVersion() throws IOException {
        Properties build = new Properties();
        try (InputStream in = BuildVersion.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                build.load(in);
            }
        }
        String commit = build.getProperty("commit", UNKNOWN);
        return new String[] {"PrefixFlow " + build.getProperty("version", UNKNOWN),
            UNKNOWN.equals(commit) ? "commit unknown (built outside a git checkout)" : "commit " + commit};
    }
}
