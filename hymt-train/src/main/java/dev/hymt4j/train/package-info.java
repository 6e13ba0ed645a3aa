/**
 * The run infrastructure of {@code hymt train}, independent of the LoRA engine. A trainer wires it so (see the
 * test {@code ToyTrainer} for a complete, resumable example):
 * <ol>
 *   <li>{@link dev.hymt4j.train.TrainingConfig#load} the YAML/JSON config with {@code --set} overrides, and save
 *       it to {@code output_dir/training_config.json};
 *   <li>{@link dev.hymt4j.train.CheckpointManager#latestComplete()} on {@code --resume}: restore the adapter,
 *       optimizer and {@link dev.hymt4j.train.Rng} state from its files, the {@link dev.hymt4j.train.TrainerState}
 *       and the {@link dev.hymt4j.train.BatchPosition};
 *   <li>iterate a {@link dev.hymt4j.train.LengthBucketedBatcher.Cursor} from that position, taking each update's
 *       rate from {@link dev.hymt4j.optim.LrSchedule#learningRate(long)};
 *   <li>log to {@link dev.hymt4j.train.MetricsLog} ({@code resume} truncates past the checkpoint),
 *       {@link dev.hymt4j.train.TensorBoardWriter} ({@code sessionStart} after a resume) and
 *       {@link dev.hymt4j.train.TrainerState#log}; show {@link dev.hymt4j.train.TrainingProgress};
 *   <li>after an evaluation, {@link dev.hymt4j.train.TrainerState#offerMetric}; every {@code save_steps},
 *       {@link dev.hymt4j.train.CheckpointManager#save} with one {@link dev.hymt4j.train.CheckpointFile} per file.
 * </ol>
 */
package dev.hymt4j.train;
