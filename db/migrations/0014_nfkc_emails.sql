-- depends: 0013_job_queue
-- Emails are compared in NFKC (commerce/customers/models.py): a fullwidth or ligature lookalike is the
-- address it imitates. Stored addresses are brought to that form so sign-in finds them. An address whose
-- normal form another account already holds is left as it is (changing it would break the unique index);
-- `SELECT email FROM customers WHERE email IS NOT NFKC NORMALIZED` lists such accounts for an admin.
UPDATE customers c
   SET email = normalize(c.email, NFKC)
 WHERE c.email IS NOT NFKC NORMALIZED
   AND NOT EXISTS (SELECT 1 FROM customers o
                    WHERE o.id <> c.id AND lower(o.email) = lower(normalize(c.email, NFKC)));
