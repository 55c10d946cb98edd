package dev.fanout.service;

import io.quarkus.runtime.annotations.RegisterForReflection;
import picocli.AutoComplete;

/**
 * picocli reads the client's commands (their annotations, fields and constructors) by reflection: in a native image
 * they must be registered, or the binary's {@code fanout} mode finds no options. The command classes are package
 * private, so they are named here by class name.
 */
@RegisterForReflection(targets = AutoComplete.GenerateCompletion.class, classNames = {
        "dev.fanout.cli.FanoutCli", "dev.fanout.cli.Connection", "dev.fanout.cli.BatchId", "dev.fanout.cli.RunOptions",
        "dev.fanout.cli.SubmitCommand",
        "dev.fanout.cli.StatusCommand", "dev.fanout.cli.ResultsCommand", "dev.fanout.cli.CancelCommand",
        "dev.fanout.cli.RedriveCommand", "dev.fanout.cli.BatchesCommand", "dev.fanout.cli.FunctionsCommand",
        "dev.fanout.cli.Progress$Mode"})
final class CliNativeRegistrations {
    private CliNativeRegistrations() {
    }
}
