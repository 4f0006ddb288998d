-- An indicator's yearly trend against its base year: change from the base, year-on-year growth and
-- the annual average growth since the base. Change the two values in `params`.
with params as (select '示例高新区' as park, '地区生产总值' as indicator, 2020 as base_year),
series as (
    select v.year, v.value, v.unit, v.is_preliminary
    from marts.indicator_values v, params p
    where v.park_name = p.park and v.indicator_name = p.indicator and v.value is not null
),
base as (select s.value as base_value from series s, params p where s.year = p.base_year)
select s.year, s.unit, s.value, s.is_preliminary,
       s.value - b.base_value as change_from_base,
       round(100 * (s.value / b.base_value - 1), 2) as pct_of_base_change,
       round(100 * (s.value / lag(s.value) over (order by s.year) - 1), 2) as yoy_pct,
       case when s.year > p.base_year and b.base_value > 0
            then round(100 * (pow(s.value / b.base_value, 1.0 / (s.year - p.base_year)) - 1), 2) end as avg_growth_since_base_pct
from series s, base b, params p
order by s.year;
