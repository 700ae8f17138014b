INSERT INTO voiceprints (id, caller_ref, model, embedding, speech_ms, source, reason, approved_by, created_at)
  VALUES (171, 'c0ffee', 'mfcc-stats-v1', '[0.25,-1.5,3e-05]', 4200, 'fx-call', '脅迫', 'fx_admin', 1700000080);
