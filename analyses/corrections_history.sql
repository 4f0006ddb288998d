-- Which files are current, which were corrected by a later one (and by which), which were set aside.
select s.file_name, s.status, s.superseded_by, s.n_figures, s.n_current, s.templates, s.park_names,
       s.message, s.set_aside_as, s.loaded_at
from marts.submissions s
order by s.load_seq nulls last, s.file_name;
