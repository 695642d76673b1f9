package dev.prefixflow.job.testfs;

import java.net.URI;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * A file system plugin for tests: the scheme {@code pftest} for the local file system. It is not
 * registered on the test class path; {@code LocalPluginsTest} packs it into a plugin jar, so only
 * Flink's plugin loading can find it.
 */
public final class LocalAliasFileSystemFactory implements FileSystemFactory {
    public static final String SCHEME = "pftest";

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileSystem create(URI fsUri) {
        return LocalFileSystem.getSharedInstance();
    }
}
