// STUB (to be replaced by the transfer engine)
import { AppError, type DiskFormat, type InspectionReport } from '../../preload/api'

export async function inspectFile(path: string, declared: DiskFormat | 'auto'): Promise<InspectionReport> {
  void path
  void declared
  throw new AppError({ code: 'INTERNAL', message: 'not implemented yet' })
}
