package cloister.crypto;

/**
 * An HPKE message was refused on the receiving side: it is malformed, its encapsulated key is unusable, or it does
 * not authenticate. These are expected outcomes with data from the network, hence a checked exception with a
 * {@link Reason}. The message is one fixed sentence per reason: it never carries key, plaintext or ciphertext
 * bytes, so it can be logged and shown to the user as is.
 */
public final class HpkeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a message was refused. */
    public enum Reason {
        /** The bytes cannot be an HPKE message of this suite (too short, wrong encapsulated-key length). */
        MALFORMED("malformed HPKE message"),
        /**
         * The encapsulated key is a low-order X25519 point: the Diffie-Hellman result would be all zero, which
         * RFC 7748 §6.1 and RFC 9180 §7.1.4 require refusing.
         */
        INVALID_ENCAPSULATION("invalid HPKE encapsulated key"),
        /**
         * AEAD authentication failed: the ciphertext, the encapsulated key, the info or the associated data was
         * altered, the message was meant for another recipient key, or messages of a context arrived out of order.
         */
        NOT_AUTHENTIC("HPKE message does not authenticate (altered, out of order, or for another key)");

        private final String message;

        Reason(String message) {
            this.message = message;
        }
    }

    private final Reason reason;

    HpkeException(Reason reason) {
        super(reason.message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
