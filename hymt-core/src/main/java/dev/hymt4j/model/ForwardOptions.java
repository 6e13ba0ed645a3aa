package dev.hymt4j.model;

/**
 * What a forward pass returns besides updating the cache.
 *
 * @param allLogits    logits for every input position, else only for each row's last position
 * @param hiddenStates also return the hidden states as transformers' {@code output_hidden_states} does
 */
public record ForwardOptions(boolean allLogits, boolean hiddenStates) {
    /** Logits of each row's last position only: what generation needs. */
    public static final ForwardOptions LAST_LOGITS = new ForwardOptions(false, false);
    public static final ForwardOptions ALL_LOGITS = new ForwardOptions(true, false);
    public static final ForwardOptions ALL_LOGITS_AND_HIDDEN = new ForwardOptions(true, true);
}
