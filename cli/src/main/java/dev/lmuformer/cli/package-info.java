/**
 * The {@code lmuformer} command (picocli): one class per subcommand ({@code train}, {@code eval},
 * {@code predict}, {@code stream}, {@code serve}, {@code bench}, {@code profile}, {@code demo} …),
 * each reading its options into the core library and printing, plotting or writing what it returns.
 */
package dev.lmuformer.cli;
