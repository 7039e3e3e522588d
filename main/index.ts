// placeholder, replaced by the shell
import { app } from 'electron'
void app
