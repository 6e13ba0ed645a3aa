package dev.hymt4j.generate;

/** Why a sequence stopped growing. */
public enum FinishReason {
    /** It produced one of the stop token ids (the id is the last generated token). */
    STOP_TOKEN,
    /** It reached the maximum number of new tokens. */
    MAX_NEW_TOKENS
}
