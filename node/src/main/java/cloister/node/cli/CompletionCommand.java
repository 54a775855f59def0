package cloister.node.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "completion", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Print a bash completion script: source <(cloister completion)")
final class CompletionCommand extends CliCommand {
    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        out().print(AutoComplete.bash("cloister", root));
        return 0;
    }
}
