-- An invariant of the code: every HJ 274 indicator is judged, or its note says why not; its number
-- is one of the standard's 32.
select park_name, year, seq_no, indicator_name, passed, note
from {{ ref('eip_assessment') }}
where (passed is null and note is null)
   or seq_no not between 1 and 32
   or mandatory is null or selected is null
