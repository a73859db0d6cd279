-- Up Migration
-- Names are stored in Unicode NFC from now on (src/kernel/names.ts), so that NFC and NFD
-- spellings of one name are one name. Existing names are rewritten to NFC, except where
-- that would make two names of one scope equal (they stay as they were: nothing is merged
-- or refused on upgrade). Without a UTF-8 database there is nothing to normalize.
DO $$
BEGIN
  UPDATE accounts SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED;
  UPDATE projects p SET name = normalize(p.name, NFC)
   WHERE p.name IS NOT NFC NORMALIZED
     AND NOT EXISTS (SELECT 1 FROM projects o
                      WHERE o.account_id = p.account_id AND o.id <> p.id
                        AND normalize(o.name, NFC) = normalize(p.name, NFC));
  UPDATE access_keys k SET display_name = normalize(k.display_name, NFC)
   WHERE k.display_name IS NOT NFC NORMALIZED
     AND NOT EXISTS (SELECT 1 FROM access_keys o
                      WHERE o.project_id = k.project_id AND o.kind = k.kind AND o.id <> k.id
                        AND normalize(o.display_name, NFC) = normalize(k.display_name, NFC));
EXCEPTION WHEN feature_not_supported OR character_not_in_repertoire OR untranslatable_character THEN
  RAISE NOTICE 'names not normalized to NFC: %', SQLERRM;
END $$;
