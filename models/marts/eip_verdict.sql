{{ config(materialized='incremental', incremental_strategy='replace_parks', on_schema_change='sync_all_columns') }}
-- depends_on: {{ ref('changed_parks') }}
-- Rebuilt park by park.
-- HJ 274-2015 verdict per park-year, with the columns this mart has always had: every mandatory
-- indicator meets its requirement, at least the seed's number (hj274_2015__verdict,
-- min_optional_selected; the dbt var verdict_overrides replaces it for one build) of optional indicators are
-- selected, and every selected one meets it. NULL when nothing fails but something cannot be judged.
with a as (
    select * from {{ ref('eip_assessment') }} where {{ changed_parks_only('park_name') }}
),
v as (
    select * from {{ ref('system_verdict') }} where system_code = 'hj274_2015' and {{ changed_parks_only('park_name') }}
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
    c.park_name,
    c.year,
    case v.verdict when 'pass' then true when 'fail' then false end as passed,
    c.mandatory_total,
    c.mandatory_passed,
    c.optional_selected,
    c.optional_passed,
    -- flat text, not lists: BI tools bundling DuckDB 1.0 cannot read list columns written by 1.4+
    array_to_string(c.failed_list, ',') as failed_seq_nos,
    array_to_string(c.unjudged_list, ',') as unjudged_seq_nos,
    v.note
from counts c
join v on v.park_name = c.park_name and v.year = c.year
