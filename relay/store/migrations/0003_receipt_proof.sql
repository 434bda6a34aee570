-- noodrelay store, schema version 3: a receipt is a proof (issue 11).

-- The bulletins a point proved it holds (JSON list of hub sequence numbers), from receipts
-- that name each bulletin; receipt_displayed keeps the ones staff marked as displayed.
ALTER TABLE points ADD COLUMN receipt_held TEXT;

-- Format-1 receipts ("everything up to N except ...") could claim bulletins a point never
-- had. They are not carried over: the next report from each point brings a true one.
UPDATE points SET receipt_up_to = NULL, receipt_missing = NULL, receipt_displayed = NULL,
    receipt_at = NULL;
