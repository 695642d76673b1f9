package dev.prefixflow.job;

import dev.prefixflow.benchmarks.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code prefixflow} command line. */
@Command(name = "prefixflow", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
        description = "LLM batch and streaming inference with vLLM's scheduling ideas.",
        subcommands = {RunCommand.class, GenerateCommand.class, BatchCommand.class, TokenizeCommand.class,
            ChatTemplateCommand.class,
            BenchCommand.class, WorkloadCommand.class, SqlCommand.class})
public final class PrefixFlowCli {

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print the stack trace of an error.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        PrefixFlowCli root = new PrefixFlowCli();
        CommandLine cli = new CommandLine(root);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            ErrorReport.print(e, commandLine.getErr(), root.verbose);
            return 1;
        });
        // Errors (a missing JVM module, no heap left) get the same report: picocli passes them through.
        cli.setExecutionStrategy(parseResult -> {
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } catch (LinkageError | VirtualMachineError e) {
                ErrorReport.print(e, cli.getErr(), root.verbose);
                return 1;
            }
        });
        return cli;
    }
}
