package cloister.chain;

/** The write side: validate a transaction and put it in the pool. Thread-safe. */
public interface TxSubmitter {
    SubmitResult submit(byte[] transaction);
}
