package dev.prefixflow.job;

import dev.prefixflow.benchmarks.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code prefixflow} command line. */
@Command(name = "prefixflow", mixinStandardHelpOptions = true, version = "PrefixFlow 0.1.0",
        description = "LLM batch and streaming inference with vLLM's scheduling ideas.",
        subcommands = {RunCommand.class, GenerateCommand.class, BatchCommand.class, TokenizeCommand.class,
            ChatTemplateCommand.class,
            BenchCommand.class, WorkloadCommand.class})
public final class PrefixFlowCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new PrefixFlowCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // An error the user can act on: its message, without a stack trace.
            commandLine.getErr().println("error: " + e.getMessage());
            return 1;
        });
        return cli;
    }
}
