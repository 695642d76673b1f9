package dev.prefixflow.job;

import dev.prefixflow.benchmarks.BenchCommand;
import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code prefixflow} command line. */
@Command(name = "prefixflow", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = "LLM batch and streaming inference with vLLM's scheduling ideas.",
        subcommands = {RunCommand.class, GenerateCommand.class, BatchCommand.class, TokenizeCommand.class,
            BenchCommand.class, WorkloadCommand.class})
public final class PrefixFlowCli {

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print the stack trace of an error.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        PrefixFlowCli root = new PrefixFlowCli();
        CommandLine cli = new CommandLine(root);
        // Durations are written as in Flink's configuration: 500 ms, 10 s, 1 min, PT10S.
        cli.registerConverter(Duration.class, PrefixFlowCli::duration);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            ErrorReport.print(e, commandLine.getErr(), root.verbose);
            return 1;
        });
        return cli;
    }

    static Duration duration(String text) {
        try {
            return TimeUtils.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a duration; write it as in "
                    + "Flink's configuration, e.g. 500 ms, 10 s, 1 min or PT10S (" + e.getMessage() + ")");
        }
    }
}
