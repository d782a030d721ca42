-- The buyer's business response (Invoice Response) beside its code: the buyer's note (the reason
-- of a rejection) and when it arrived. Delivered documents that already carry a response move to
-- the state of that response.
ALTER TABLE documents ADD COLUMN business_response_note TEXT;
ALTER TABLE documents ADD COLUMN business_response_at INTEGER;
UPDATE documents SET state = CASE business_response
    WHEN 'AB' THEN 'acknowledged'
    WHEN 'IP' THEN 'in_process'
    WHEN 'UQ' THEN 'under_query'
    WHEN 'CA' THEN 'conditionally_accepted'
    WHEN 'AP' THEN 'buyer_accepted'
    WHEN 'RE' THEN 'rejected'
    WHEN 'PD' THEN 'paid'
  END
WHERE state = 'delivered' AND business_response IN ('AB', 'IP', 'UQ', 'CA', 'AP', 'RE', 'PD');
