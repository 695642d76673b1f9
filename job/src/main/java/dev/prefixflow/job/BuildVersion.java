package dev.prefixflow.job;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version and the git commit the build wrote into the jar (see the job module's pom). */
final class BuildVersion implements IVersionProvider {

    @Override
    public String[] getVersion() throws IOException {
        Properties version = load("version.properties");
        Properties git = load("git.properties");
        String commit = git.getProperty("git.commit.id");
        String built = commit == null ? "commit unknown (built outside a git checkout)"
                : "commit " + commit + " (" + git.getProperty("git.commit.time") + ")"
                        + (Boolean.parseBoolean(git.getProperty("git.dirty")) ? " with uncommitted changes" : "");
        return new String[] {"PrefixFlow " + version.getProperty("version", "unknown"), built};
    }

    private static Properties load(String name) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = BuildVersion.class.getResourceAsStream(name)) {
            if (in != null) {
                properties.load(in);
            }
        }
        return properties;
    }
}
