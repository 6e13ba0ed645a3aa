package dev.hymt4j.cli;

import dev.hymt4j.io.PathPlan;

/**
 * A command whose inputs or outputs are not all options of its own, e.g. {@code train}, whose config file names
 * the model, the data and the output directory: it adds them to the plan before the check.
 */
public interface DeclaresPaths {
    void declarePaths(PathPlan plan) throws Exception;
}
