/**
 * LMUFormer on Apache Spark: keyword spotting over audio collections ({@link dev.lmuformer.spark.BatchSpotting}) and
 * distributed evaluation ({@link dev.lmuformer.spark.DistributedEvaluation}), as functions over Datasets read with
 * Spark's {@code binaryFile} source ({@link dev.lmuformer.spark.AudioFiles}), and the {@code spark} commands that run
 * them ({@link dev.lmuformer.spark.SparkCommand}, {@link dev.lmuformer.spark.SparkMain} for spark-submit). Spark is a
 * provided dependency: the cluster supplies it; the checkpoint travels as a broadcast of its bytes.
 */
package dev.lmuformer.spark;
