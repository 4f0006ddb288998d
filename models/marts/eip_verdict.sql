-- HJ 274-2015 verdict per park-year: every mandatory indicator meets its requirement, at least
-- var('eip_min_optional_selected') optional indicators are selected, and every selected one meets it.
with a as (
    select * from {{ ref('eip_assessment') }}
),
counts as (
    select
        park_name,
        year,
        count(*) filter (where mandatory) as mandatory_total,
        count(*) filter (where mandatory and passed) as mandatory_passed,
        count(*) filter (where not mandatory and selected) as optional_selected,
        count(*) filter (where not mandatory and selected and passed) as optional_passed,
        coalesce(list(seq_no order by seq_no) filter (where selected and passed = false), []) as failed_list,
        coalesce(list(seq_no order by seq_no) filter (where selected and passed is null), []) as unjudged_list
    from a
    group by all
)
select
    park_name,
    year,
    case when len(failed_list) > 0 or optional_selected < {{ var('eip_min_optional_selected') }} then false
         when len(unjudged_list) > 0 then null
         else true end as passed,
    mandatory_total,
    mandatory_passed,
    optional_selected,
    optional_passed,
    -- flat text, not lists: BI tools bundling DuckDB 1.0 cannot read list columns written by 1.4+
    array_to_string(failed_list, ',') as failed_seq_nos,
    array_to_string(unjudged_list, ',') as unjudged_seq_nos,
    nullif(concat_ws('; ',
        case when optional_selected < {{ var('eip_min_optional_selected') }}
             then optional_selected || ' optional indicators selected, at least {{ var("eip_min_optional_selected") }} required' end,
        case when len(unjudged_list) > 0 then 'cannot be judged: ' || array_to_string(unjudged_list, ', ') end
    ), '') as note
from counts
