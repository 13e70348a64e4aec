/**
 * Audio in: WAV files read strictly ({@link dev.lmuformer.audio.WavReader}, refusing what it cannot
 * read with {@link dev.lmuformer.audio.AudioFormatException}), resampling to the model rate of
 * 16 kHz ({@link dev.lmuformer.audio.Resampler}), and the Kaldi-compatible log-mel filterbank
 * ({@link dev.lmuformer.audio.Fbank}) that {@link dev.lmuformer.audio.ModelInput} turns into a
 * model input of 128 frames, normalised as in training.
 */
package dev.lmuformer.audio;
