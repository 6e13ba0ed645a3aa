package dev.hymt4j.cli;

import dev.hymt4j.prompt.Language;
import dev.hymt4j.prompt.UnknownLanguageException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Language options checked against the 38-language table, as usage errors naming the option. */
final class LanguageOptions {
    private LanguageOptions() {}

    /** A code, an alias or a name (what people type for --to and --from); null stays null. */
    static Language parse(CommandSpec spec, String option, String value) {
        if (value == null) return null;
        try {
            return Language.parse(value);
        } catch (UnknownLanguageException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + value + ": " + e.getMessage());
        }
    }

    /** A code or alias (what data files hold); returned as given so that records keep their own spelling. */
    static String code(CommandSpec spec, String option, String value) {
        if (value == null) return null;
        try {
            Language.fromCode(value);
            return value;
        } catch (UnknownLanguageException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + value + ": " + e.getMessage());
        }
    }
}
