package dev.lmuformer.cli;

/** Entry point of the {@code lmuformer} command. */
public final class Main {
    private Main() {
    }

    /** Runs the command line. */
    public static void main(String[] args) {
        System.out.println("lmuformer");
    }
}
