-- Every file seen and what became of it: the correction history. A loaded file is current, partly
-- superseded (a later file replaced some of its figures) or superseded (all of them).
with figures as (
    select file_sha256, count(*) as n_figures from {{ ref('stg_raw__observations') }} group by all
),
current_figures as (
    select file_sha256, count(*) as n_current from {{ ref('int_observations_current') }} group by all
),
replaced_by as (
    -- for the figures no longer current, the file whose figures replaced them
    select o.file_sha256, string_agg(distinct c.source_file, ', ' order by c.source_file) as superseded_by
    from {{ ref('stg_raw__observations') }} o
    join {{ ref('int_park_names') }} n on n.park_key = o.park_key
    join {{ ref('int_observations_current') }} c
      on c.park_name = n.park_name and c.template = o.template
     and (o.template = 'plan' or c.year = o.year)
     and (o.template <> 'plan' or c.plan_name = o.plan_name)
     and (o.template <> 'statistics' or c.label_key = o.label_key)
     and c.file_sha256 <> o.file_sha256 and c.load_seq > o.load_seq
    where o.file_sha256 in (select f.file_sha256 from figures f left join current_figures cf using (file_sha256)
                            where coalesce(cf.n_current, 0) < f.n_figures)
    group by all
)
select
    f.file_name,
    f.file_sha256,
    f.load_seq,
    case when f.status <> 'loaded' then f.status
         when coalesce(c.n_current, 0) = 0 and coalesce(g.n_figures, 0) > 0 then 'superseded'
         when coalesce(c.n_current, 0) < coalesce(g.n_figures, 0) then 'partly_superseded'
         else 'current' end as status,
    r.superseded_by,
    coalesce(g.n_figures, 0) as n_figures,
    coalesce(c.n_current, 0) as n_current,
    f.templates,
    f.park_names,
    f.message,
    f.set_aside_as,
    f.run_id,
    f.first_seen_at,
    f.loaded_at
from {{ source('audit', 'files') }} f
left join figures g on g.file_sha256 = f.file_sha256 and f.status = 'loaded'
left join current_figures c on c.file_sha256 = f.file_sha256 and f.status = 'loaded'
left join replaced_by r on r.file_sha256 = f.file_sha256 and f.status = 'loaded'
