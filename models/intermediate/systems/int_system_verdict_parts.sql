{{ config(materialized='view') }}
-- Step 3 of the evaluator (the parks this build recomputes): what a verdict is made of, per system, park and year: the counted
-- indicators that fail or cannot be judged, the optional ones selected, each group (k of n) passed,
-- failed or open, and the score with its grade where the system scores (seed <system>__grades).
with a as (
    select * from {{ ref('int_system_judged') }} where park_name in (select park_name from {{ ref('changed_parks') }})
),
groups as (
    select * from {{ ref('int_system_groups') }}
),
group_results as (
    -- a group passes when at least min_pass of its members pass; it fails when even the members that
    -- cannot be judged could not make it pass; else it is open
    select a.system_code, a.park_name, a.year, g.group_code, g.group_name, g.min_pass,
           count(*) as members,
           count(*) filter (where a.status = 'pass') as passed,
           count(*) filter (where a.status = 'not_assessable') as unjudged,
           case when count(*) filter (where a.status = 'pass') >= g.min_pass then 'pass'
                when count(*) filter (where a.status in ('pass', 'not_assessable')) < g.min_pass then 'fail'
                else 'not_assessable' end as group_status
    from a
    join groups g on g.system_code = a.system_code and g.group_code = a.group_code
    where g.min_pass is not null
    group by a.system_code, a.park_name, a.year, g.group_code, g.group_name, g.min_pass
),
by_group as (
    select system_code, park_name, year,
           count(*) filter (where group_status = 'fail') as groups_failed,
           count(*) filter (where group_status = 'not_assessable') as groups_unjudged,
           string_agg(group_name || ' ' || passed || '/' || min_pass, ', ' order by group_code)
               filter (where group_status <> 'pass') as groups_short
    from group_results
    group by all
),
counts as (
    select
        a.system_code, a.park_name, a.year,
        count(*) filter (where a.counted) as counted_total,
        count(*) filter (where a.counted and a.status = 'fail') as failed,
        count(*) filter (where a.counted and a.status = 'not_assessable') as unjudged,
        count(*) filter (where a.role = 'optional' and a.counted) as optional_selected,
        string_agg(a.indicator_code, ', ' order by a.seq_no) filter (where a.counted and a.status = 'fail') as failed_codes,
        string_agg(a.indicator_code, ', ' order by a.seq_no) filter (where a.counted and a.status = 'not_assessable') as unjudged_codes,
        count(*) filter (where a.role = 'guidance') as guidance,
        count(*) filter (where a.role = 'guidance' and a.status = 'pass') as guidance_passed,
        sum(a.points_earned) as score,
        sum(a.points) as score_max,
        bool_or(a.points is not null) as scores
    from a
    group by all
),
graded as (
    select c.*, gr.grade, gr.passes as grade_passes
    from counts c
    left join {{ ref('int_system_grades') }} gr on gr.system_code = c.system_code and c.scores
        and gr.min_score <= c.score + 1e-9
    qualify row_number() over (partition by c.system_code, c.park_name, c.year order by gr.min_score desc nulls last) = 1
)
select g.*, coalesce(b.groups_failed, 0) as groups_failed, coalesce(b.groups_unjudged, 0) as groups_unjudged,
       b.groups_short
from graded g
left join by_group b on b.system_code = g.system_code and b.park_name = g.park_name and b.year = g.year
