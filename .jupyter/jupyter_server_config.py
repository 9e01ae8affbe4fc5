# The project's Jupyter server config (`make lab` puts this folder on JUPYTER_CONFIG_PATH): notebooks
# under civsim/notebooks/ are saved without outputs, so an autosave never leaves outputs in the repository.
c = get_config()  # noqa: F821
c.ContentsManager.pre_save_hook = "civsim.lab.strip_outputs"
